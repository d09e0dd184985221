"""Which accelerator to use: CUDA, then Apple's MPS, then the CPU."""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from cnnviz.errors import CnnvizError

DEVICE_CHOICES = ("auto", "cuda", "mps", "cpu")


def mps_available() -> bool:
    backend = getattr(torch.backends, "mps", None)
    return bool(backend is not None and backend.is_available())


def available_devices() -> list[str]:
    """The device names usable here, best first; "cpu" is always last."""
    found = []
    if torch.cuda.is_available():
        found.append("cuda")
    if mps_available():
        found.append("mps")
    return [*found, "cpu"]


def pick_device(preference: str = "auto") -> torch.device:
    """`"auto"` picks the best available; a named device must exist here."""
    if preference not in DEVICE_CHOICES:
        raise CnnvizError(f"device {preference!r} is unknown; choose one of {', '.join(DEVICE_CHOICES)}")
    devices = available_devices()
    if preference == "auto":
        return torch.device(devices[0])
    if preference not in devices:
        raise CnnvizError(
            f"device {preference!r} is not available on this machine; choose one of {', '.join(devices)}"
        )
    return torch.device(preference)


@dataclass(frozen=True)
class DeviceInfo:
    name: str  # "cuda" | "mps" | "cpu"
    description: str  # e.g. "NVIDIA GeForce RTX 3060 (12 GiB)" or "2 threads, bfloat16 in hardware"


def describe_device(device: torch.device | None = None) -> DeviceInfo:
    device = device or pick_device()
    if device.type == "cuda":
        props = torch.cuda.get_device_properties(device)
        return DeviceInfo("cuda", f"{props.name} ({props.total_memory / 2**30:.0f} GiB)")
    if device.type == "mps":
        return DeviceInfo("mps", "Apple GPU (Metal)")
    threads = torch.get_num_threads()
    bf16 = ", bfloat16 in hardware" if cpu_has_native_bf16() else ""
    return DeviceInfo("cpu", f"{threads} thread{'' if threads == 1 else 's'}{bf16}")


def set_cpu_threads(requested: int | None = None) -> int:
    """Intra-op threads for the CPU (process-wide); by default all cores but one, so the web server and a
    training run each keep a core. On a busy 2-core machine torch's default of 2 made small ops ~8x slower."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    threads = requested or max(1, cores - 1)
    torch.set_num_threads(threads)
    return threads


@functools.cache
def cpu_has_native_bf16() -> bool:
    """True when this CPU computes bfloat16 in hardware (x86's AMX or AVX512-BF16), the only CPUs where
    bfloat16 autocast speeds training up; emulated elsewhere, it would slow it down."""
    if not torch.backends.mkldnn.is_available():
        return False
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text()
    except OSError:  # not Linux: no reliable way to tell, so stay in float32
        return False
    flags = next((line.split(":", 1)[1].split() for line in cpuinfo.splitlines() if line.startswith("flags")), [])
    return "amx_bf16" in flags or "avx512_bf16" in flags


def mixed_precision_dtype(device: torch.device) -> torch.dtype | None:
    """The autocast type that speeds training up here: bfloat16 (or float16 on older GPUs) on CUDA,
    bfloat16 on CPUs that compute it natively, None elsewhere."""
    if device.type == "cuda":
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    if device.type == "cpu" and cpu_has_native_bf16():
        return torch.bfloat16
    return None


def channels_last_pays(model: nn.Module, device: torch.device) -> bool:
    """NHWC memory layout: faster on CUDA, and on the CPU for every preset (1.2x to 4x with bfloat16), except
    batch normalization on several CPU threads, where PyTorch's channels-last kernels run 2-4x slower
    (lenet_bn trained at 0.4x its speed on 2 threads)."""
    if device.type == "cuda":
        return True
    if device.type != "cpu":
        return False
    has_batch_norm = any(isinstance(m, nn.BatchNorm2d) for m in model.modules())
    return not (has_batch_norm and torch.get_num_threads() > 1)
