"""LangChain retrievers over Mavera: personas, Mave research, news stories."""
