"""Train page after a short run (1,000 images, 1 epoch): each rerun picks another confusion-matrix cell,
redrawing the results (curves, confusion matrix, images, per-class bars, downloads, overlay)."""

PAGE = "pages/4_Train.py"
TARGET_MS = 150

CLASSES = ("T-shirt/top", "Shirt", "Coat", "Pullover")


def setup(at) -> None:
    at.selectbox(key="train_arch").set_value("lenet_relu")
    at.select_slider(key="train_size").set_value(1_000)
    at.number_input(key="train_epochs").set_value(1)
    at.run()
    at.button(key="train_start").click().run()
    assert at.session_state["train_job"].job.join(300)


def change(at, i: int) -> None:
    at.selectbox(key="train_pred").set_value(CLASSES[i % len(CLASSES)])
