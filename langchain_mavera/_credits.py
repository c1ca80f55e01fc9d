"""What a reply's `credits_used` charges, and how a credits figure is written.

One rule for every counter (the credits tally, budgets, panels, the persona tools, surveys): a
charge is a number >= 0 as the server sent it. Anything else (missing, None, NaN, a negative
figure, a bool, a string) is *no figure*: the call's cost is unknown, and every caller treats it
as such. A budget charges an unknown cost at the worst cost seen for that kind of call, so a
reply with a broken figure can never lift a budget; a tally counts it under
`unknown_cost_requests`; a panel or survey answer shows no credits for it.
"""

from __future__ import annotations


def charge(credits_used: object) -> int | float | None:
    """`credits_used` as a charge (a number >= 0, kept as sent), else None: the cost is unknown."""
    if isinstance(credits_used, bool) or not isinstance(credits_used, int | float) or not credits_used >= 0:
        return None
    return credits_used


def format_credits(credits: float | None) -> str:
    """A credits figure as people read it: 3 -> "3", 2.5 -> "2.5", 2.25 -> "2.25", None -> "-".

    Never in exponent notation (`:g` writes 1234567 as "1.23457e+06").
    """
    if credits is None:
        return "-"
    if float(credits).is_integer():
        return str(int(credits))
    return f"{credits:.2f}".rstrip("0").rstrip(".")
