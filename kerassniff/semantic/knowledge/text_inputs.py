"""Where a script gets one string of text whose content it does not know: typed by its user (``input()``, a
Streamlit text box) or posted to a web app (a Flask form field, a query argument).  Each gives a ``str``, never a
list of texts: iterating it walks its characters (:class:`~kerassniff.semantic.values.UnknownText`).  And where it
gets a number its user typed (a Streamlit number box): in the units the user knows, never a scaler's."""
from __future__ import annotations

# Functions that return the text a user typed, by canonical name (the builtin by its own name).
# (Streamlit's widgets are also called on its sidebar: ``st.sidebar.text_input``.)
TEXT_INPUT_FUNCTIONS = frozenset({"input", "streamlit.text_input", "streamlit.text_area", "streamlit.sidebar.text_input",
                                  "streamlit.sidebar.text_area"})

# Mappings whose items are strings: a Flask request's form fields and query arguments (werkzeug MultiDicts: both
# ``request.form["text"]`` and ``request.form.get("text")`` give one value, a str; ``getlist()`` gives a list).
TEXT_FIELD_MAPPINGS = frozenset({"flask.request.form", "flask.request.args", "flask.request.values"})

# Lists of strings: an item at a constant index is one str (``sys.argv[1]``, a command-line argument).
TEXT_LISTS = frozenset({"sys.argv"})

# Functions that return a number the user typed, by canonical name.
NUMBER_INPUT_FUNCTIONS = frozenset({"streamlit.number_input", "streamlit.sidebar.number_input"})
