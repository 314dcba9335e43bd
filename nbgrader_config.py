"""nbgrader configuration of the course. Run every nbgrader command from the repository root.

Source labs (with solutions and hidden tests) live in solutions/<lab>/, their release
versions (what students get) in labs/<lab>/. Instructor-only folders — submitted/,
autograded/, feedback/ and the gradebook in .nbgrader/ — are git-ignored.
"""

import os

c = get_config()  # noqa: F821 - provided by nbgrader's config loader

ROOT = os.path.dirname(os.path.abspath(__file__))
GRADEBOOK_DIR = os.path.join(ROOT, ".nbgrader")
os.makedirs(GRADEBOOK_DIR, exist_ok=True)

c.CourseDirectory.root = ROOT
c.CourseDirectory.course_id = "dlcourse"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "labs"
# An absolute path: nbgrader commands run from elsewhere still find the same gradebook.
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(GRADEBOOK_DIR, "gradebook.db")
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", ".nbgrader", "feedback"]

# Labs are budgeted at 60 s in total on a 2-core CPU; one cell may take at most 120 s
# before nbgrader stops it (and the cell's tests score 0).
c.Execute.timeout = 120
c.Execute.interrupt_on_timeout = True
# A client whose waits on the kernel are re-checked every 0.2 s: nbclient's own can miss a reply
# under load and sleep until the cell timeout (grading/dlcourse_grade/kernel_client.py explains).
c.Execute.kernel_manager_class = "dlcourse_grade.kernel_client.ResilientKernelManager"

# Students work in Colab, where cells are not locked: restore deleted test cells at grading.
c.OverwriteCells.add_missing_cells = True

c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
