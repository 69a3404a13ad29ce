"""Powers, deals, the devolution framework and readiness, and place budgets ("One Place, One Budget").

Data (catalogue, deals, framework) lives in YAML next to this file, each entry with its official
reference; the modules turn it, with the store's tables, into tidy DataFrames.
"""
