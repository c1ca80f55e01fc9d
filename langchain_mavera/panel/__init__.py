"""`PersonaPanel`: one question to several personas, and its results."""
