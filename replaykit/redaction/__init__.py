"""What is a secret and the forms it takes: shared by the recorder (which redacts what it knows), the secret
scan (which finds what it recognises) and every reader (which prints nothing the scan finds). Kept apart from
the recorder package so that readers load none of the recorder."""
