"""``POST /chat/completions``: validate, complete, then render for delivery."""

from .chat_request import parse_chat_request
from .chat_stream import stream_items
from .completion import complete, completion_body
from .wire import JsonReply, Reply, RequestContext, StreamReply


def create_chat_completion(ctx: RequestContext) -> Reply:
    request = parse_chat_request(ctx.body)
    completion = complete(request)
    if request.stream:
        return StreamReply(stream_items(completion, ctx.config.stream_usage_placement))
    return JsonReply(completion_body(completion))
