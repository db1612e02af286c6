"""Builds the one extension, cvnn._C, from csrc/**/*.c with the system C compiler.

No Cython, no -march=native, no -ffast-math: per-ISA micro-kernels carry their own
__attribute__((target(...))) and are chosen at run time. OpenMP is used when the compiler
accepts -fopenmp; without it the build is clean and single-threaded.
"""
import glob
import os
import shutil
import subprocess
import sys
import tempfile

import numpy
from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext


def _compiler_accepts(compiler, flags, link_flags):
    """Compile and link a tiny OpenMP program to see whether the flags work."""
    tmp = tempfile.mkdtemp()
    try:
        src = os.path.join(tmp, "t.c")
        with open(src, "w") as f:
            f.write("#include <omp.h>\nint main(void){return omp_get_max_threads() > 0 ? 0 : 1;}\n")
        objs = compiler.compile([src], output_dir=tmp, extra_postargs=flags)
        compiler.link_executable(objs, os.path.join(tmp, "t"), extra_postargs=link_flags)
        return True
    except Exception:
        return False
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


class BuildExt(build_ext):
    def build_extensions(self):
        ctype = self.compiler.compiler_type
        if ctype == "msvc":
            base = ["/O2", "/std:c11"]
            omp_c, omp_l = ["/openmp"], []
        else:
            # -fno-math-errno: no kernel reads errno, and without it GCC cannot vectorise a
            # loop calling sqrt (Adam, RMSprop, the norms). Unlike -ffast-math it changes no
            # result and keeps NaN/Inf handling.
            base = ["-O3", "-std=c11", "-fno-strict-aliasing", "-fno-math-errno", "-Wall",
                    "-Wno-unknown-pragmas", "-Wno-unused-function", "-fvisibility=hidden"]
            omp_c, omp_l = ["-fopenmp"], ["-fopenmp"]
        use_omp = os.environ.get("CVNN_NO_OPENMP", "") != "1" and _compiler_accepts(self.compiler, omp_c, omp_l)
        for ext in self.extensions:
            ext.extra_compile_args = base + (omp_c if use_omp else [])
            ext.extra_link_args = omp_l if use_omp else []
            if use_omp:
                ext.define_macros.append(("CVNN_OPENMP", "1"))
        print("cvnn: building with OpenMP" if use_omp else "cvnn: building without OpenMP", file=sys.stderr)
        super().build_extensions()


sources = sorted(glob.glob("csrc/kernels/*.c")) + sorted(glob.glob("csrc/bind/*.c"))
ext = Extension(
    "cvnn._C",
    sources=sources,
    include_dirs=["csrc", "csrc/kernels", "csrc/bind", numpy.get_include()],
    define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")],
    depends=sorted(glob.glob("csrc/**/*.h", recursive=True) + glob.glob("csrc/**/*.inc", recursive=True)),
)

setup(ext_modules=[ext], cmdclass={"build_ext": BuildExt})
