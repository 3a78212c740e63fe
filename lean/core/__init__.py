"""The infrastructure: configuration, extensions, errors, security and CSRF, addresses,
static files, input checks, languages and every command. It imports no area and no shared module."""
