"""What kerassniff knows of Keras and its neighbours, as plain tables.

No logic and no imports from the rest of kerassniff: the interpreter, the library handlers, the rules and
dynamic mode all read the same rows, so adding a spelling, a loss alias or a dataset is one line here.
"""
