"""The Class board in AppTest: a teacher opens a class, a student joins by link and trains a tiny run, the board shows
it under the student's nickname with the run's own accuracy; bad codes, names and keys change nothing."""

from __future__ import annotations

import json

import pytest

from cnnviz.ui.board import join
from tests.app.zh_text import assert_all_chinese, open_in_chinese
from tests.conftest import assert_no_exception, make_app

BOARD, TRAIN = "pages/8_Class_board.py", "pages/4_Train.py"
KEY = "teacher-key-for-tests"


@pytest.fixture(autouse=True)
def fresh_registry(tmp_path, monkeypatch):
    """Each test's server has its own boards folder and a known teacher key."""
    monkeypatch.setenv("CNNVIZ_CLASS_DIR", str(tmp_path))
    monkeypatch.setenv("CNNVIZ_TEACHER_KEY", KEY)
    join.registry.clear()
    yield
    join.registry.clear()


def teacher(code: str = "cnn7b"):
    at = make_app(BOARD, {"classroom": code}).run()
    assert_no_exception(at)
    at.button(key="board_open").click().run()
    assert_no_exception(at)
    return at


def table(at):
    return at.dataframe[0].value


def test_a_students_run_appears_with_its_nickname_and_accuracy():
    board = teacher()
    assert [m.value for m in board.metric][:3] == ["0", "0", "0"]
    student = make_app(TRAIN, {"classroom": "CNN7B", "name": "  <b>Ada</b>  "}).run()
    assert_no_exception(student)
    assert student.session_state[join.JOINED_KEY] == ("CNN7B", "<b>Ada</b>")
    shown = [c.value for c in student.sidebar.caption if "CNN7B" in c.value]
    assert shown == ["Class **CNN7B** as **\\<b\\>Ada\\</b\\>**"]  # markdown-escaped: no HTML, no bold markup
    student.selectbox(key="train_arch").set_value("lenet_relu")
    student.select_slider(key="train_size").set_value(1_000)
    student.number_input(key="train_epochs").set_value(1)
    student.select_slider(key="train_lr").set_value(0.003)
    student.run()
    student.button(key="train_start").click().run()
    assert_no_exception(student)
    run = student.session_state["train_job"]
    try:
        assert run.job.join(240), "the run did not end"
    finally:
        run.job.stop()
    student.run()
    expected = run.job.snapshot().history.test_accuracy
    registry = join.registry()
    for _ in range(200):  # the board's watcher records the end within a poll or two
        if registry.board("CNN7B").run(run.board_id).status == "finished":
            break
        import time
        time.sleep(0.05)
    board.run()
    assert_no_exception(board)
    rows = table(board)
    assert list(rows["nickname"]) == ["<b>Ada</b>"] and list(rows["network"]) == [run.spec.name]
    assert list(rows["status"]) == ["finished"] and list(rows["epochs"]) == ["1/1"]
    assert rows["test accuracy"][0] == pytest.approx(round(100 * expected[-1], 1))
    assert "lr=0.003" in rows["settings that differ"][0] and "training images=1000" in rows["settings that differ"][0]
    assert [m.value for m in board.metric][:3] == ["1", "1", "0"]
    curves = [json.loads(c.proto.spec) for c in board.get("plotly_chart") if c.proto.id.endswith("board_curves")][0]
    assert curves["data"][0]["name"].startswith("&lt;b&gt;Ada&lt;/b&gt; · ")  # Plotly draws it as typed
    assert curves["data"][0]["y"] == pytest.approx(expected)
    final = [json.loads(c.proto.spec) for c in board.get("plotly_chart") if c.proto.id.endswith("board_final")][0]
    assert final["data"][0]["y"] == pytest.approx([expected[-1]])
    board.selectbox(key="board_against").set_value("lr").run()
    final = [json.loads(c.proto.spec) for c in board.get("plotly_chart") if c.proto.id.endswith("board_final")][0]
    assert final["data"][0]["x"] == [0.003] and final["layout"]["xaxis"]["type"] == "log"


def test_a_wrong_class_code_is_said_and_joins_nothing():
    teacher("cnn7b")
    student = make_app("pages/1_Convolution_and_pooling.py", {"classroom": "CNN7C", "name": "Bo"}).run()
    assert_no_exception(student)
    assert join.JOINED_KEY not in student.session_state
    assert any("no class CNN7C" in w.value for w in student.sidebar.warning)
    bad = make_app("pages/1_Convolution_and_pooling.py", {"classroom": "<script>", "name": "Bo"}).run()
    assert any("not 4 to 12 letters or digits" in w.value for w in bad.sidebar.warning)
    assert join.registry().board("CNN7B").members == {}


def test_a_thousand_character_name_is_cut_and_said():
    teacher()
    student = make_app("app.py", {"classroom": "cnn7b", "name": "x" * 1000}).run()
    assert_no_exception(student)
    assert student.session_state[join.JOINED_KEY] == ("CNN7B", "x" * 40)
    assert any("shortened to 40 characters (it had 1000)" in i.value for i in student.sidebar.info)
    assert student.query_params["name"] == "x" * 40


def test_joining_and_leaving_from_the_sidebar():
    teacher()
    student = make_app("app.py").run()
    student.text_input(key="class_join_code").set_value("nope")
    student.button(key="class_join").click().run()
    assert any("no class NOPE" in w.value for w in student.sidebar.warning)
    student.text_input(key="class_join_code").set_value("cnn7b")
    student.text_input(key="class_join_name").set_value("Chen")
    student.button(key="class_join").click().run()
    assert_no_exception(student)
    assert student.session_state[join.JOINED_KEY] == ("CNN7B", "Chen")
    assert student.query_params["classroom"] == "CNN7B"
    student.button(key="class_leave").click().run()
    assert join.JOINED_KEY not in student.session_state and "classroom" not in student.query_params
    assert join.registry().board("CNN7B").members == {"chen": "Chen"}  # leaving keeps what the board has


def test_a_forged_teacher_key_clears_nothing_and_the_right_one_clears():
    board = teacher()
    join.registry().join("CNN7B", "m1", "Ada")
    join.registry().add_run("CNN7B", "Ada", "LeNet", {"lr": 0.01, "epochs": 1})
    board.run()
    board.text_input(key="board_key").set_value("guess")
    board.button(key="board_clear").click().run()
    assert_no_exception(board)
    assert any("not the teacher key" in e.value for e in board.error)
    assert len(join.registry().board("CNN7B").runs) == 1 and len(table(board)) == 1
    board.text_input(key="board_key").set_value(KEY)
    board.button(key="board_clear").click().run()
    assert any("1 runs removed" in s.value for s in board.success)
    assert join.registry().board("CNN7B").runs == []


def test_pin_and_hide_a_run():
    board = teacher()
    registry = join.registry()
    first = registry.add_run("CNN7B", "Ada", "LeNet", {"lr": 0.01, "epochs": 1})
    second = registry.add_run("CNN7B", "Bo", "AlexNet", {"lr": 0.1, "epochs": 1})
    board.run()
    assert list(table(board)["nickname"]) == ["Bo", "Ada"]  # newest first
    board.selectbox(key="board_flag_run").set_value(first).run()
    board.button(key="board_pin").click().run()
    assert list(table(board)["nickname"]) == ["Ada", "Bo"] and registry.board("CNN7B").run(first).pinned
    board.selectbox(key="board_flag_run").set_value(second).run()
    board.button(key="board_hide").click().run()
    assert list(table(board)["nickname"]) == ["Ada"]
    board.toggle(key="board_show_hidden").set_value(True).run()
    assert list(table(board)["nickname"]) == ["Ada", "Bo"]
    board.selectbox(key="board_group").set_value("network").run()
    groups = board.dataframe[1].value
    assert list(groups["network"]) == ["AlexNet", "LeNet"] and list(groups["runs"]) == [1, 1]


def test_the_board_in_chinese():
    teacher()
    registry = join.registry()
    registry.join("CNN7B", "m1", "王小明")
    job_run = registry.add_run("CNN7B", "王小明", "LeNet", {"lr": 0.01, "epochs": 2, "images": 1000})
    registry.board("CNN7B").run(job_run)
    board = open_in_chinese(BOARD, {"classroom": "cnn7b"})
    assert board.title[0].value == "班级看板"
    assert_all_chinese(board)
    rows = table(board)
    assert list(rows["昵称"]) == ["王小明"] and rows["与默认不同的设置"][0] == "学习率=0.01, 迭代周期数=2, 训练图像数=1000"
    student = open_in_chinese("app.py", {"classroom": "cnn7b", "name": "李雷"})
    assert_all_chinese(student)
    assert any(c.value == "班级 **CNN7B**，昵称 **李雷**" for c in student.sidebar.caption)


def test_settings_that_differ_are_counted_from_the_lesson_links_not_the_page_defaults():
    """A teacher's Train link sets SGD at lr 0.1 on 1,000 images: a student who keeps them differs in nothing; one
    who then raises the rate differs in the rate alone (from the page's defaults, all three would differ)."""
    teacher()
    lesson = {"net": "lenet_relu", "optimizer": "sgd", "lr": "0.1", "images": "1000", "epochs": "1"}
    student = make_app(TRAIN, {"classroom": "CNN7B", "name": "Ada", **lesson}).run()
    assert_no_exception(student)
    runs = []
    try:
        for lr in (None, 0.3):
            if lr is not None:
                student.select_slider(key="train_lr").set_value(lr).run()
            student.button(key="train_start").click().run()
            assert_no_exception(student)
            runs.append(student.session_state["train_job"])
            assert runs[-1].job.join(240), "the run did not end"
            student.run()
    finally:
        for run in runs:
            run.job.stop()
    board = join.registry().board("CNN7B")
    kept, raised = (board.run(run.board_id) for run in runs)
    assert kept.differs == {} and raised.differs == {"lr": 0.3}
