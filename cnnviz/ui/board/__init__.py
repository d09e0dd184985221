"""The class board's views: joining a class (the sidebar, ?classroom=&name=), recording runs, and page 8's board.
Imports streamlit, cnnviz.ui.common/lang, classroom, figures and root modules."""
