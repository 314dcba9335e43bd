"""dlcourse-grade: the instructor's side of the course's labs, apart from the student library.

- :mod:`~dlcourse_grade.instructor`: the ``dlcourse-grade`` command (collect, autograde, report,
  feedback) and the course-gradebook recording;
- :mod:`~dlcourse_grade.collect`: downloaded submissions placed per student and lab;
- :mod:`~dlcourse_grade.grade`: autograding a lab's submissions in parallel slots and shards;
- :mod:`~dlcourse_grade.worker`: the long-lived nbgrader process of each parallel grading slot;
- :mod:`~dlcourse_grade.gradebook`: the course gradebook every grading host writes to;
- :mod:`~dlcourse_grade.feedback`: the report and the redacted feedback pages;
- :mod:`~dlcourse_grade.sandbox`: the bubblewrap sandbox each student's kernel runs in;
- :mod:`~dlcourse_grade.integrity`: the static scan that flags submissions for review;
- :mod:`~dlcourse_grade.kernel_client`: a Jupyter client that cannot miss a kernel's reply
  (nbgrader and the notebook tools use it).

None of these imports ``dlcourse`` or torch: the grading processes stay light.
"""

__version__ = "0.1.0"
