"""The Smallest Self-Host Python example (requests with a urllib3 retry adapter), run against `earshot serve`.

Usage: python3 smallest_example.py <api_url> <audio_url>   (LICENSE_KEY in the environment)
Prints the JSON result on stdout.
"""
import json
import os
import sys

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry


def create_session():
    session = requests.Session()
    retry = Retry(
        total=3,
        backoff_factor=1,
        status_forcelist=[429, 500, 502, 503, 504],
        # urllib3 retries only idempotent verbs unless told otherwise; transcription is a POST.
        allowed_methods=False,
    )
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def transcribe(api_url, audio_url, **kwargs):
    session = create_session()
    response = session.post(
        f"{api_url}/v1/listen",
        headers={
            "Authorization": f"Token {os.environ['LICENSE_KEY']}",
            "Content-Type": "application/json",
        },
        json={"url": audio_url, **kwargs},
        timeout=300,
    )
    response.raise_for_status()
    return response.json()


if __name__ == "__main__":
    print(json.dumps(transcribe(sys.argv[1], sys.argv[2], punctuate=True, language="en")))
