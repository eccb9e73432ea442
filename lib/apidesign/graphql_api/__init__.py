"""The chat data over GraphQL: a schema (``schema``), two ways to fetch its data (``fetchers``),
the limits a public GraphQL endpoint needs (``limits``), and the N+1 lesson measured (``nplus1``).

The HTTP shell (``POST /graphql``) is ``apidesign.server.graphql_http``.
"""

# The schema reads the server's database and the server serves the schema: loading the server first
# lets either be imported first (server/graphql_http.py imports this package's schema).
from .. import server  # noqa: E402,F401
