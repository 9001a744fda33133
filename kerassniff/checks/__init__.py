"""One module per rule, named after its code: ``ks101_binary_crossentropy_multiclass``.

The registry imports every ``ksNNN_*`` module of this package (:func:`kerassniff.registry.load_rules`);
adding a rule is adding its module here, its document in ``rules/`` and its fixtures in ``fixtures/``.
"""
