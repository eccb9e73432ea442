"""Communication protocols, run for real on 127.0.0.1 and modelled where timing would be noisy.

    hol        head-of-line blocking: a seeded discrete-event model of HTTP/1.1, HTTP/2 and HTTP/3
    polling    delivery latency and requests per message: short/long polling, SSE, WebSockets
    chooser    the protocol decision table (data/protocol_chooser.csv) as a function
    streaming  client side of the API's push endpoints: an SSE reader, the chat WebSocket, many streams at once
    http1      keep-alive, a connection per request, and pipelining, over raw sockets
    http2      a hypercorn server, httpx[http2] client, multiplexing and HPACK sizes
    http3      one request over QUIC with aioquic, a throw-away certificate, 0-RTT resumption
    handshakes round trips before the first request byte: TCP + TLS against QUIC, counted on real handshakes
    migration  a QUIC connection that survives its client moving to a new port; TCP cannot
    push       HTTP/2 server push refused by SETTINGS_ENABLE_PUSH, and 103 Early Hints
    grpc_chat  the chat service from chat.proto: stubs generated at first use, four call patterns
    certs      a throw-away self-signed certificate (QUIC always encrypts)
    loops      run asyncio clients and servers from plain code and from Jupyter
"""
