//! Articles pages.

macro_rules! articles {
    ($next:ident $(, $rest:ident)* ; $($acc:tt)*) => { $next! { $($rest),* ; $($acc)*
        ArticlesTitle "articles.title" => "Artikel", "Articles";
        ArticlesNew "articles.new" => "Neuer Artikel", "New article";
        ArticlesEdit "articles.edit" => "Artikel bearbeiten", "Edit article";
        ArticlesIncludeInactive "articles.include_inactive" => "Inaktive zeigen", "Show inactive";
    } };
}
