"""`python -m langchain_mavera.survey`: the survey command line."""

from langchain_mavera.survey.cli import main

raise SystemExit(main())
