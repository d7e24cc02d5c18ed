"""Pure values shared by the services, the search and the web layer (filters, paging).

They import nothing of the app: services and search both build on them, never the reverse.
"""
