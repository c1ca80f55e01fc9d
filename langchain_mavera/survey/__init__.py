"""`PersonaSurvey`: many questions to many personas, saved as it goes, resumable.

`python -m langchain_mavera.survey` runs its command line.
"""
