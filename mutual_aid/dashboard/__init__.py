"""The town staff's dashboard of mutual aid: figures, charts, their tables and CSV files."""
