// MIME writer exports — to be written (issue 3).
