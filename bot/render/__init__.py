"""Platform-neutral pieces of rendering; each adapter composes its own message format."""
