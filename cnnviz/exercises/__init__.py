"""The book's exercises: a catalog stated in cnnviz's own words (`catalog`) and computed, checked answers
(`answers`), shown by the Exercises page. Imports figures and every layer below it."""
