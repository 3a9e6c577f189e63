"""Input readers, one module per format, registered by file extension.

Adding a format means adding one module that registers itself with
`@survey_reader(".ext")` or `@document_reader(".ext")` and importing it here.
"""

from pipeline.readers import csv_reader, docx_reader, html_reader, pdf_reader, sav_reader, text_reader, xlsx_reader  # noqa: F401
from pipeline.readers.base import (
    DOCUMENT_READERS,
    SURVEY_READERS,
    WARNING_PREFIX,
    Paragraph,
    SurveyTable,
)

__all__ = ["DOCUMENT_READERS", "SURVEY_READERS", "WARNING_PREFIX", "Paragraph", "SurveyTable"]
