"""The target seam: each target's decorator, tape and accumulation, as the
transforms ask for them (adxform/targets)."""

from adxform import ir
from adxform.emit.printer import StmtPrinter
from adxform.naming import Namer
from adxform.reverse.tape import Tape
from adxform.targets import CPU, CUDA_DEVICE, CUDA_KERNEL, PYTHON, TARGETS, target_of
from adxform.targets.cuda.tape import LocalTape


def _text(stmt: ir.Stmt) -> str:
    return "\n".join(StmtPrinter("m.py").block([stmt], 0))


def _function(target: str) -> ir.Function:
    return ir.Function("f", [ir.Param("x", None)], [ir.Pass()], target=target)


def test_every_function_target_has_a_registry_entry():
    assert set(TARGETS) == {"cpu", "python", "cuda-kernel", "cuda-device"}
    assert all(target_of(_function(name)) is TARGETS[name] for name in TARGETS)


def test_decorators_follow_the_target_and_jit():
    assert CPU.decorator("numba") == "@numba.njit(cache=True)" and CPU.decorator("none") is None
    assert PYTHON.decorator("numba") is None
    assert CUDA_KERNEL.decorator("none") == CUDA_KERNEL.decorator("numba") == "@cuda.jit"
    assert CUDA_DEVICE.decorator("numba") == "@cuda.jit(device=True)"


def test_accumulation_is_plus_equals_on_the_cpu_and_atomic_on_the_gpu_unless_exclusive():
    element = ir.Subscript(ir.Name("u_bar"), [ir.BinOp("-", ir.Name("i"), ir.Const(1))])
    value = ir.Name("g")
    assert _text(CPU.accumulate(element, value, ir.NOPOS)) == "u_bar[i - 1] += g"
    assert _text(CUDA_KERNEL.accumulate(element, value, ir.NOPOS)) == "cuda.atomic.add(u_bar, i - 1, g)"
    assert _text(CUDA_KERNEL.accumulate(element, value, ir.NOPOS, exclusive=True)) == "u_bar[i - 1] += g"
    assert _text(CUDA_KERNEL.accumulate(ir.Name("s_bar"), value, ir.NOPOS)) == "s_bar += g"  # a thread's own


def test_tapes_grow_on_the_cpu_and_are_sized_from_the_code_on_the_gpu():
    assert isinstance(CPU.tape(Namer(_function("cpu"), "bar")), Tape)
    assert CPU.zeros_like(ir.Name("x")).func == "numpy.zeros_like"
    tape = CUDA_KERNEL.tape(Namer(_function("cuda-kernel"), "bar"))
    assert isinstance(tape, LocalTape) and CUDA_KERNEL.zeros_like is None
    tape.multiplier = 100  # inside a loop of 100 iterations
    tape.push(ir.Name("v"), "float")
    assert [_text(s) for s in tape.setup()][1:] == ["ftape = cuda.local.array(100, numba.float64)", "ftop = 0"]
    tape.multiplier = None  # a loop of unknown length
    assert tape.push(ir.Name("v"), "float") is None
