"""Learning an edge kernel by gradient descent (the book's 7.2.4 / zh 6.2.4 loop) and its targets and inputs.
Imports only the shared root modules (data, device, errors, i18n, images)."""
