"""LangChain tools over Mavera: a persona, a panel, Mave research, news stories."""
