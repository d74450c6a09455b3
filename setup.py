"""Builds citybrain._citybrain with the project's CMake (the CLI's build, Python module only) and
puts it inside the citybrain package; metadata lives in pyproject.toml."""

import os
import shutil
import subprocess
import sys
import sysconfig

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = os.path.dirname(os.path.abspath(__file__))
os.makedirs(os.path.join(ROOT, "build-wheel"), exist_ok=True)


class CMakeExtension(Extension):
    def __init__(self, name):
        super().__init__(name, sources=[])


class CMakeBuild(build_ext):
    def build_extension(self, ext):
        build_dir = os.path.join(ROOT, "build-wheel")
        generator = ["-G", "Ninja"] if shutil.which("ninja") else []
        subprocess.check_call([
            "cmake", "-S", ROOT, "-B", build_dir, *generator, "-DCMAKE_BUILD_TYPE=Release",
            "-DCITYBRAIN_PYTHON=ON", "-DCITYBRAIN_TESTS=OFF", "-DCITYBRAIN_BENCH=OFF",
            f"-DPython_EXECUTABLE={sys.executable}",
        ])
        jobs = str(os.cpu_count() or 2)
        subprocess.check_call(["cmake", "--build", build_dir, "--target", "citybrain_python",
                               "-j", jobs])
        suffix = sysconfig.get_config_var("EXT_SUFFIX")
        built = os.path.join(build_dir, "python", "citybrain", "_citybrain" + suffix)
        target = self.get_ext_fullpath(ext.name)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copyfile(built, target)


# setuptools' scratch goes under build-wheel/ too, away from the CMake build directories.
setup(
    ext_modules=[CMakeExtension("citybrain._citybrain")],
    cmdclass={"build_ext": CMakeBuild},
    options={"build": {"build_base": os.path.join(ROOT, "build-wheel", "setuptools")},
             "egg_info": {"egg_base": os.path.join(ROOT, "build-wheel")}},
)
