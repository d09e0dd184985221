"""Architecture builder: rerun after editing a layer (conv1's channels alternate between 6 and 8)."""

PAGE = "pages/3_Architecture_builder.py"
TARGET_MS = 200


def setup(at):
    at.selectbox(key="arch_preset").select("lenet")


def change(at, i):
    key = f"arch_layers_{at.session_state['arch_editor_version']}"
    at.session_state[key] = {"edited_rows": {0: {"size": 6 + 2 * (i % 2)}}, "added_rows": [], "deleted_rows": []}
