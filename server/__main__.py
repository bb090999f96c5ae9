"""``python -m server``: serve the app with waitress (``server/serve.py``).

The entry point is this package's ``__main__`` so that the query workers stay small: multiprocessing imports
the parent's main module again in every process it starts (as ``__mp_main__``), except a package's
``__main__`` (``multiprocessing.spawn._fixup_main_from_name``). Started as ``python -m server.serve``, each
worker imported the whole web front (Flask, rdflib, the search index's libraries): 17 MB more each.
"""

from .serve import main

main()
