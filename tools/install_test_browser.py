"""Set up what the book build and its real-browser test need: headless Chromium and the pinned scripts.

    python tools/install_test_browser.py

1. **Chromium.** Uses one already on PATH (``chromium``, ``chromium-browser``, ``google-chrome``
   or ``$CHROMIUM``); otherwise, on Debian/Ubuntu as root, installs Debian's ``chromium`` with
   apt. Elsewhere it prints what to install and exits 0: the browser test then skips locally
   (CI sets ``DLCOURSE_REQUIRE_BROWSER=1``, which turns that skip into a failure).
2. **The scripts the book ships** (and axe-core, with which the test checks accessibility). The rendered pages load MathJax, RequireJS and the ipywidgets
   html-manager from the book itself (``_static/vendor/<package>@<version>/``, named in
   ``_config.yml``), so that the built book works from disk with no network. Their npm tarballs
   are downloaded here from the npm registry, verified against their published sha512
   integrity and unpacked into ``.cache/cdn/<package>@<version>/``; the book build
   (``_ext/dlcourse_book.py``) copies them into every build.

Nothing here runs during the tests; the tests never touch the network.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import shutil
import subprocess
import sys
import tarfile
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MIRROR = ROOT / ".cache" / "cdn"

# name, version, sha512 integrity as published by the npm registry (`npm view <pkg>@<ver> dist.integrity`).
# _config.yml must point at exactly these versions; tests/test_book_html.py checks that it does.
PACKAGES = {
    (
        "mathjax",
        "3.2.2",
    ): "sha512-Bt+SSVU8eBG27zChVewOicYs7Xsdt40qm4+UpHyX7k0/O9NliPc+x77k1/FEsPsjKPZGJvtRZM1vO+geW0OhGw==",
    (
        "requirejs",
        "2.3.4",
    ): "sha512-qPD5gRrj6kGQ0ZySAJgqbArkaDqPMbQIT0zSZDkIv1mfA17w/tR2Faq5l2qqRf2CdQx6FWln9nUrgd2UDzb19A==",
    (
        "@jupyter-widgets/html-manager",
        "1.0.6",
    ): "sha512-+Mn+Ra8wyIHrYaUpfmf9A3dsLkt/NuwzPQN8sthdxBD35VV5cOJbpmgMhNR27n/rmP3mKyEe0PWCJrtZrXTXDQ==",
}
#: What only the browser test uses (not shipped with the book): axe-core, the accessibility checker.
TEST_PACKAGES = {
    (
        "axe-core",
        "4.14.1",
    ): "sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ==",
}
REGISTRY = "https://registry.npmjs.org"
BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_chromium() -> str | None:
    """The Chromium executable to use: ``$CHROMIUM``, else the first of BROWSER_NAMES on PATH."""
    if os.environ.get("CHROMIUM"):
        return os.environ["CHROMIUM"]
    return next((path for name in BROWSER_NAMES if (path := shutil.which(name))), None)


def install_chromium() -> str | None:
    found = find_chromium()
    if found:
        print(f"chromium: using {found}")
        return found
    if shutil.which("apt-get") and os.geteuid() == 0:
        print("chromium: installing Debian's chromium with apt-get …", flush=True)
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "update", "-q"], check=True, env=env, stdout=subprocess.DEVNULL)
        subprocess.run(
            ["apt-get", "install", "-y", "-q", "--no-install-recommends", "chromium"],
            check=True,
            env=env,
            stdout=subprocess.DEVNULL,
        )
        return find_chromium()
    print(
        "chromium: not found. Install Chromium (e.g. `sudo apt-get install chromium`) or set $CHROMIUM;"
        " until then the browser test is skipped."
    )
    return None


def mirror_path(name: str, version: str) -> Path:
    return MIRROR / f"{name}@{version}"


def _tarball_url(name: str, version: str) -> str:
    return f"{REGISTRY}/{name}/-/{name.rsplit('/', 1)[-1]}-{version}.tgz"


def fetch_package(name: str, version: str, integrity: str) -> Path:
    """Download, verify and unpack one npm package into the mirror (once)."""
    target = mirror_path(name, version)
    if (target / "package.json").exists():
        return target
    with urllib.request.urlopen(_tarball_url(name, version), timeout=120) as response:
        data = response.read()
    algorithm, expected = integrity.split("-", 1)
    actual = base64.b64encode(hashlib.new(algorithm, data).digest()).decode()
    if actual != expected:
        raise RuntimeError(f"{name}@{version}: integrity mismatch (expected {integrity}, got {algorithm}-{actual})")
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        for member in archive.getmembers():
            if not member.isfile() or not member.name.startswith("package/"):
                continue
            relative = Path(member.name).relative_to("package")
            if ".." in relative.parts:
                raise RuntimeError(f"{name}@{version}: unsafe path {member.name!r} in the tarball")
            out = partial / relative
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(archive.extractfile(member).read())
    partial.rename(target)
    return target


def main() -> int:
    install_chromium()
    for (name, version), integrity in {**PACKAGES, **TEST_PACKAGES}.items():
        path = fetch_package(name, version, integrity)
        print(f"mirror: {name}@{version} -> {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
