#!/usr/bin/env bash
# Make the real Fashion-MNIST available where the platform allows it.
# Debian as root: the dataset-fashion-mnist package. Elsewhere the app explains the options
# (CNNVIZ_DATA, or torchvision's download from the home page).
set -u
DEBIAN_DIR=/usr/share/datasets/fashion-mnist
if [ -f "$DEBIAN_DIR/train-images-idx3-ubyte.gz" ]; then
  echo "Fashion-MNIST: found in $DEBIAN_DIR"
  exit 0
fi
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "Fashion-MNIST: installing Debian's dataset-fashion-mnist package"
  apt-get install -y -qq dataset-fashion-mnist >/dev/null 2>&1 \
    || { apt-get update -qq && apt-get install -y -qq dataset-fashion-mnist; } \
    || echo "Fashion-MNIST: apt-get could not install it; the app will offer torchvision's download"
else
  echo "Fashion-MNIST: not installed system-wide; the app offers torchvision's download, or set CNNVIZ_DATA"
fi
exit 0
