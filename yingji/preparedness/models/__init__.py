"""Models of the preparedness app: the plan registry, drills, training and exams."""

from .drills import Drill, ImprovementItem  # noqa: F401
from .plans import (EmergencyPlan, PlanEvaluation, PlanOpinion, PlanRelation, PlanResource,  # noqa: F401
                    PlanVersion, RevisionTask)
from .training import (Attendance, Certificate, Course, ExamAttempt, ExamSession, Question,  # noqa: F401
                       Trainee, TrainingSession)
from .tabletop import TabletopRun, TabletopStep  # noqa: F401
