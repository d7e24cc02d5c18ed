"""WTForms classes: they validate input and build the services' input objects (to_input());
no queries and no business logic here."""
