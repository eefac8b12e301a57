"""Progress bars: the text bar outside notebooks, the widget bar only where it can be drawn."""

import subprocess
import sys
import textwrap

from eosmath import progress

# A Jupyter kernel as tqdm recognises one: ipykernel's shell module loaded and IPython's
# get_ipython() returning a ZMQInteractiveShell. ipywidgets is made unimportable.
FAKE_KERNEL = textwrap.dedent("""
    import sys, types, warnings
    class ZMQInteractiveShell:
        pass
    ipython = types.ModuleType("IPython")
    ipython.get_ipython = lambda: ZMQInteractiveShell()
    sys.modules["IPython"] = ipython
    sys.modules["ipykernel.zmqshell"] = types.ModuleType("ipykernel.zmqshell")
    sys.modules["ipywidgets"] = None
    warnings.simplefilter("always")
""")


def _run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", FAKE_KERNEL + textwrap.dedent(code)],
                          capture_output=True, text=True, timeout=60)


def test_tqdm_auto_warns_in_this_fake_kernel():
    # the control: the fake kernel really takes tqdm.auto down its notebook path
    result = _run("import tqdm.auto")
    assert "IProgress not found" in result.stderr


def test_kernel_without_ipywidgets_gets_the_text_bar_and_no_warning():
    result = _run("""
        from eosmath.progress import Progress, bar_class, in_notebook_kernel
        assert in_notebook_kernel()
        print(bar_class().__module__)
        with Progress(3, "chunks") as bar:
            bar.update(3)
    """)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "tqdm.std"
    assert "IProgress" not in result.stderr and "Warning" not in result.stderr
    assert "chunks" in result.stderr and "3/3" in result.stderr


def test_kernel_with_ipywidgets_gets_the_widget_bar(monkeypatch):
    monkeypatch.setattr(progress, "in_notebook_kernel", lambda: True)
    monkeypatch.setattr(progress, "_widgets_importable", lambda: True)
    assert progress.bar_class().__module__ == "tqdm.notebook"


def test_outside_a_kernel_the_text_bar():
    assert not progress.in_notebook_kernel()
    assert progress.bar_class().__module__ == "tqdm.std"
