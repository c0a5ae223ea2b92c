"""A Python live-transcription client (websocket-client): streams a raw PCM16 file, prints each server message.

Usage: python3 stream_client.py <wss-or-ws url> <pcm file> <ca cert or ''>   (LICENSE_KEY in the environment)
"""
import os
import ssl
import sys

import websocket

url, pcm_path, ca = sys.argv[1], sys.argv[2], sys.argv[3]
sslopt = {"cert_reqs": ssl.CERT_REQUIRED, "ca_certs": ca} if ca else {}
ws = websocket.create_connection(url, header=[f"Authorization: Token {os.environ['LICENSE_KEY']}"], sslopt=sslopt)
with open(pcm_path, "rb") as f:
    while chunk := f.read(4096):
        ws.send_binary(chunk)
ws.send('{"type": "end"}')
while True:
    try:
        message = ws.recv()
    except websocket.WebSocketConnectionClosedException:
        break
    if not message:
        break
    print(message, flush=True)
ws.close()
