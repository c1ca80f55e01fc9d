"""Private: how requests reach Mavera.

Connection settings, SDK clients, JSON and SSE, error mapping, REST helpers.
"""
