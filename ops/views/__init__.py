"""The console's own views: one module per part, each with its `urlpatterns`."""
