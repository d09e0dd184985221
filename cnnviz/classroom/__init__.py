"""A class's board: the runs a class's students start, by class code, kept on the server (no streamlit here).
Imports training (a run's TrainConfig) and the root modules."""

from cnnviz.classroom.board import Board, BoardRun, ClassRegistry
from cnnviz.classroom.names import ClassError, clean_code, clean_nickname
from cnnviz.classroom.teacher import TeacherKey

__all__ = ["Board", "BoardRun", "ClassError", "ClassRegistry", "TeacherKey", "clean_code", "clean_nickname"]
