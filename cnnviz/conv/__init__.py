"""Convolution and pooling on small grids: the arithmetic, page 1's inputs and kernels, the written-out sums
and the "same as PyTorch" check. Imports only the shared root modules (data, device, errors, i18n, images)."""
