"""What every app shares and none owns: the API's refusals. Imports no app of the project."""
