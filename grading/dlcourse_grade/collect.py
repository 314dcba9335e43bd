"""``dlcourse-grade collect``: downloaded submissions placed as ``submitted/<student>/<lab>/<lab>.ipynb``."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

__all__ = ["STUDENT_ID", "find_course", "known_labs", "Placement", "match_submission", "collect"]

STUDENT_ID = re.compile(r"[^a-z0-9_.-]+")


# --------------------------------------------------------------------------- course
def find_course(course: str | os.PathLike | None) -> Path:
    """The course root: a folder holding ``nbgrader_config.py``.

    Parameters
    ----------
    course : str or os.PathLike or None
        The course root; ``None`` (or ``""``) means the current directory.

    Returns
    -------
    pathlib.Path
        The course root, resolved to an absolute path.

    Raises
    ------
    FileNotFoundError
        If the folder has no ``nbgrader_config.py``.
    """
    root = Path(course or ".").resolve()
    if not (root / "nbgrader_config.py").exists():
        raise FileNotFoundError(f"course={str(root)!r} has no nbgrader_config.py; pass --course COURSE_ROOT")
    return root


def known_labs(root: Path) -> list[str]:
    """Labs with a source notebook ``solutions/<lab>/<lab>.ipynb``.

    Parameters
    ----------
    root : pathlib.Path
        The course root; its ``solutions`` folder must exist (else ``FileNotFoundError``).

    Returns
    -------
    list of str
        The lab names (the folder names), sorted.
    """
    return sorted(p.name for p in (root / "solutions").iterdir() if (p / f"{p.name}.ipynb").exists())


# --------------------------------------------------------------------------- collect
@dataclass
class Placement:
    """Where :func:`collect` placed one downloaded notebook, or why it did not.

    Parameters
    ----------
    source : str
        The notebook's path relative to the folder searched (for a zip, its path inside the archive).
    student : str or None, default None
        The student id found; ``None`` if none was.
    lab : str or None, default None
        The lab found; ``None`` if none was.
    target : str or None, default None
        Where the notebook was copied, relative to the course root; ``None`` if it was not placed.
    problem : str or None, default None
        Why it was not placed (no lab, no student, or a newer submission for the same student and lab);
        ``None`` if it was.
    """

    source: str
    student: str | None = None
    lab: str | None = None
    target: str | None = None
    problem: str | None = None


def _normalise(name: str) -> str:
    name = re.sub(r"^(copy of\s+)+", "", name.strip().lower())
    name = re.sub(r"\s*\(\d+\)$", "", name)  # "lab (1)" from repeated downloads
    return re.sub(r"[\s\-]+", "_", name)


def _student_id(text: str) -> str:
    text = re.sub(r"_assignsubmission_.*$", "", text.strip().lower())  # Moodle folder names
    return STUDENT_ID.sub("_", text).strip("_.-")


def match_submission(path: Path, src_root: Path, labs: list[str]) -> Placement:
    """Which student and lab a downloaded notebook belongs to (see :func:`collect` for the rules).

    Parameters
    ----------
    path : pathlib.Path
        The notebook; it must lie under ``src_root``.
    src_root : pathlib.Path
        The folder searched; the folder names between it and ``path`` are used.
    labs : list of str
        The known lab names (:func:`known_labs`).

    Returns
    -------
    Placement
        ``source`` set, and either ``lab`` and ``student`` or ``problem`` (``lab`` may be set with a
        ``problem`` when no student is found); ``target`` is left ``None``.
    """
    placement = Placement(str(path.relative_to(src_root)))
    stem = _normalise(path.stem)
    lab = next((lab for lab in sorted(labs, key=len, reverse=True) if lab in stem), None)
    folders = [_normalise(p) for p in path.relative_to(src_root).parts[:-1]]
    if lab is None:
        lab = next((lab for lab in labs for f in folders if lab in f), None)
    if lab is None:
        placement.problem = "no lab name in the file name or its folders"
        return placement
    placement.lab = lab
    prefix = stem.split(lab)[0].strip("_")
    if prefix:
        student = _student_id(prefix.split("_")[0])
    else:
        candidates = [f for f in reversed(folders) if lab not in f and f not in ("submitted", "submissions")]
        student = _student_id(candidates[0]) if candidates else ""
    if not student:
        placement.problem = "cannot tell which student: no id before the lab name and no student folder"
        return placement
    placement.student = student
    return placement


def collect(src: str | os.PathLike, course: Path) -> list[Placement]:
    """Place the notebooks found in ``src`` (a folder or a zip) into ``course/submitted``.

    Rules: the lab is the known lab name found in the normalised file name (``Copy of`` and
    ``(1)`` removed), else in a folder name; the student is the first ``_``-separated token
    before the lab name in the file name (LMS exports: ``jdoe_12345_lab01_activations.ipynb``),
    else the nearest folder that is not a lab folder (``jdoe/lab01_activations.ipynb``,
    Moodle's ``Jane Doe_123_assignsubmission_file_/``). Two files for the same student and lab:
    the most recently modified is kept and the other reported.

    Parameters
    ----------
    src : str or os.PathLike
        A folder or a zip file of downloaded notebooks, searched recursively (``.ipynb_checkpoints``
        and ``__MACOSX`` folders skipped; zip members that would land outside the extraction folder
        are skipped).
    course : pathlib.Path
        The course root (:func:`find_course`); its labs are :func:`known_labs`.

    Returns
    -------
    list of Placement
        One per notebook found, in path order: placed ones have ``target`` set, the others a ``problem``.
        A placed notebook overwrites an existing ``submitted/<student>/<lab>/<lab>.ipynb``.

    Raises
    ------
    FileNotFoundError
        If ``src`` is neither a folder nor a zip file, or the course has no ``solutions`` folder.

    Notes
    -----
    For a zip, the modification times compared are those of extraction (``zipfile`` does not restore
    the archive's dates), so of two members for the same student and lab the one extracted last (later in
    the archive) is normally kept, whatever the dates recorded in the zip.
    """
    src = Path(src)
    labs = known_labs(course)
    with tempfile.TemporaryDirectory() as tmp:
        if zipfile.is_zipfile(src):
            with zipfile.ZipFile(src) as archive:
                for member in archive.infolist():
                    target = (Path(tmp) / member.filename).resolve()
                    if Path(tmp).resolve() not in target.parents:  # no "../" escapes from a zip
                        continue
                    archive.extract(member, tmp)
            root = Path(tmp)
        elif src.is_dir():
            root = src
        else:
            raise FileNotFoundError(f"src={str(src)!r} is neither a folder nor a zip file")
        found = sorted(
            p for p in root.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts and "__MACOSX" not in p.parts
        )
        placements = [match_submission(p, root, labs) for p in found]
        chosen: dict[tuple[str, str], tuple[Placement, Path]] = {}
        for placement, path in zip(placements, found):
            if placement.problem:
                continue
            key = (placement.student, placement.lab)
            if key in chosen:
                other, other_path = chosen[key]
                newer, older = (
                    ((placement, path), (other, other_path))
                    if path.stat().st_mtime >= other_path.stat().st_mtime
                    else ((other, other_path), (placement, path))
                )
                older[0].problem = f"another submission for {key[0]}/{key[1]} is newer: {newer[0].source}"
                chosen[key] = newer
            else:
                chosen[key] = (placement, path)
        for (student, lab), (placement, path) in chosen.items():
            target = course / "submitted" / student / lab / f"{lab}.ipynb"
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
            placement.target = str(target.relative_to(course))
    return placements
