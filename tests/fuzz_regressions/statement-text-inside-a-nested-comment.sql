SELECT E'it\%%%%%%%%%1', X'ff';
/* a /* nested, U&'d\0061t;'; */%%%%%%'' {&;,U'd\1540t;, $a$;$a$, $$;$$, 'a''b;', "c""d;", B'01', X'ff';
/* a /* nested, U&'d\0061t;'; */ c; */ SEL', * a /2 nested, U&'d\0061t;'; */ c; */ SELECT $1;