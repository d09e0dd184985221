"""Which accelerator to use: CUDA, then Apple's MPS, then the CPU."""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from cnnviz.errors import CnnvizError
from cnnviz.i18n import N_, Message

DEVICE_CHOICES = ("auto", "cuda", "mps", "cpu")
BF16_VARIABLE = "CNNVIZ_BF16"  # "auto" (the default): mixed precision where the hardware computes it; "off": float32
BF16_CHOICES = ("auto", "off")


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
    description: Message  # e.g. "NVIDIA GeForce RTX 3060 (12 GiB)" or "2 threads, bfloat16 in hardware"


def describe_device(device: torch.device | None = None) -> DeviceInfo:
    device = device or pick_device()
    if device.type == "cuda":
        props = torch.cuda.get_device_properties(device)
        return DeviceInfo("cuda", Message("{name} ({gib} GiB)", {"name": props.name,
                                                               "gib": f"{props.total_memory / 2**30:.0f}"}))
    if device.type == "mps":
        return DeviceInfo("mps", Message(N_("Apple GPU (Metal)")))
    threads = torch.get_num_threads()
    if cpu_has_native_bf16() and mixed_precision_allowed():
        return DeviceInfo("cpu", Message(N_("CPU threads: {threads}, bfloat16 in hardware"), {"threads": threads}))
    return DeviceInfo("cpu", Message(N_("CPU threads: {threads}"), {"threads": threads}))


def set_cpu_threads(requested: int | None = None) -> int:
    """Intra-op threads for the CPU (process-wide); by default `threads_for(1)`: all cores but one, so the web
    server and a training run each keep a core. On a busy 2-core machine torch's default of 2 made small ops
    ~8x slower."""
    threads = requested or threads_for(1)
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


def mixed_precision_allowed() -> bool:
    """False when CNNVIZ_BF16=off asks for float32 everywhere (read at each call, so a test can pin a path)."""
    setting = os.environ.get(BF16_VARIABLE, "auto").strip().lower() or "auto"
    if setting not in BF16_CHOICES:
        raise CnnvizError(N_("{variable}='{value}' is unknown; set it to one of {choices}"), variable=BF16_VARIABLE,
                          value=setting, choices=", ".join(BF16_CHOICES))
    return setting == "auto"


def mixed_precision_dtype(device: torch.device) -> torch.dtype | None:
    """The autocast type that speeds training up here: bfloat16 (or float16 on older GPUs) on CUDA,
    bfloat16 on CPUs that compute it natively, None elsewhere or when CNNVIZ_BF16=off."""
    if not mixed_precision_allowed():
        return None
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


def memory_available(device: torch.device) -> int:
    """Bytes a training run may still take on `device`: free GPU memory (plus PyTorch's reusable cache) on
    CUDA, Metal's recommended working set less what is allocated on MPS, available RAM on the CPU."""
    if device.type == "cuda":
        free, _total = torch.cuda.mem_get_info(device)
        return free + torch.cuda.memory_reserved(device) - torch.cuda.memory_allocated(device)
    if device.type == "mps":
        return int(torch.mps.recommended_max_memory() - torch.mps.driver_allocated_memory())
    return _ram_available()


def _ram_available() -> int:
    """MemAvailable from /proc/meminfo, within a container's cgroup limit; the sysconf figure elsewhere."""
    found = []
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                found.append(int(line.split()[1]) * 1024)
    except (OSError, ValueError):
        pass
    try:  # cgroup v2: a container may be allowed far less than the machine has
        limit = Path("/sys/fs/cgroup/memory.max").read_text().strip()
        if limit != "max":
            found.append(int(limit) - int(Path("/sys/fs/cgroup/memory.current").read_text()))
    except (OSError, ValueError):
        pass
    if not found and hasattr(os, "sysconf"):
        try:
            found.append(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
        except (OSError, ValueError):
            pass
    return max(0, min(found)) if found else 2 ** 34  # unknown platform: assume a laptop's 16 GiB


def usable_cores() -> int:
    """The CPU cores this process may run on: its affinity where the OS says, else every core."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def threads_for(runs: int = 1, cores: int | None = None) -> int:
    """Intra-op threads (torch.set_num_threads) for each of `runs` training runs sharing `cores` cores.

    Rules: one core stays free for the web server when there are more than one; the rest are split evenly
    between the runs, at least one thread each. Splitting, not sharing, because PyTorch's thread pools do
    not cooperate across processes: runs whose threads add up to more than the cores oversubscribe, and
    every one of them slows down more than the cores are shared (each waits at barriers for threads that
    are descheduled). One run alone gets every spare core: the larger batches of a single run keep more
    threads busy, while many small runs parallelise better across runs than within one.

    Measured with bench/thread_policy.py on this project's 2-core machine (the fast demo's network, batch 256,
    samples/s). Quiet: one run, 1 thread 2,304, 2 threads 3,003; two concurrent runs, 1 thread each 4,093 in
    all, 2 threads each 1,997 (oversubscribed: half). While other work kept the machine busy, the demo's earlier
    network: one run 149 / 63, two runs 203 / 81. So splitting beats sharing by 2x or more in total here, and a
    lone run gains from a second core only on a quiet machine (the fast demo, a live demo's one run, takes it).
    Many cores were not available to measure: run bench/thread_policy.py on the server before changing these
    rules.
    """
    cores = usable_cores() if cores is None else cores
    spare = max(1, cores - 1)  # a core for the web server, except on a single core
    return max(1, spare // max(1, runs))
