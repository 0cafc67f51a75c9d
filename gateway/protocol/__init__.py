"""OpenClaw gateway protocol v3 over WebSocket: frames, handshake, method handlers."""
