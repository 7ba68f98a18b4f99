"""Outputs: the budget justification PDF, the comparison, the workbook, CSV, the resolution."""
