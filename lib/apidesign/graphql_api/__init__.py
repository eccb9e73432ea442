"""The chat data over GraphQL: a schema (``schema``), two ways to fetch its data (``fetchers``),
the limits a public GraphQL endpoint needs (``limits``), and the N+1 lesson measured (``nplus1``).

The HTTP shell (``POST /graphql``) is ``apidesign.server.graphql_http``.
"""
