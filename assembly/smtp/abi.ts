// SMTP session exports — to be written (issue 2).
