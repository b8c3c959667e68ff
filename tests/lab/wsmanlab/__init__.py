"""wsmanlab: the lab WS-Management endpoint (HTTP/TLS/auth layer and WS-Management service).

Test and demo infrastructure; it never imports the wsman.automation collection.
"""
