#include "kiosk/app/strings.hpp"

#include <map>

namespace lasr {
namespace {

using Table = std::map<std::string, std::string, std::less<>>;

const std::map<std::string, Table, std::less<>>& tables() {
    static const std::map<std::string, Table, std::less<>> t = {
        {"en",
         {
             {"language.name", "English"},
             {"app.subtitle", "Learning and local help"},
             {"home.welcome", "Welcome"},
             {"home.intro", "Short videos for library staff, and local services for everyone."},
             {"home.courses", "Training courses"},
             {"home.help.title", "Find local help"},
             {"home.help.body", "Food, health, housing, legal help and crisis lines near you."},
             {"home.crisis", "In crisis? Call or text 988, any time."},
             {"course.videos", "videos"},
             {"course.minutes", "min"},
             {"course.watched", "Watched"},
             {"course.play", "Play"},
             {"nav.back", "Back"},
             {"nav.home", "Home"},
             {"player.pause", "Pause"},
             {"player.resume", "Play"},
             {"player.captions_on", "Captions on"},
             {"player.captions_off", "Captions off"},
             {"resources.title", "Find local help"},
             {"resources.all", "All"},
             {"resources.count", "services"},
             {"resources.national", "National"},
             {"resources.sample", "Sample entry"},
             {"resources.always_open", "Open 24 hours, every day"},
             {"resources.call", "Call"},
             {"resources.text", "Text"},
             {"resources.website", "Website"},
             {"resources.address", "Address"},
             {"resources.hours", "Hours"},
             {"resources.languages", "Languages spoken"},
             {"category.crisis", "Crisis lines"},
             {"category.health", "Health"},
             {"category.mental-health", "Mental health"},
             {"category.food", "Food"},
             {"category.housing", "Housing"},
             {"category.legal", "Legal help"},
             {"category.employment", "Jobs"},
             {"category.family", "Family"},
             {"category.other", "Other"},
             {"day.mon", "Mon"}, {"day.tue", "Tue"}, {"day.wed", "Wed"}, {"day.thu", "Thu"},
             {"day.fri", "Fri"}, {"day.sat", "Sat"}, {"day.sun", "Sun"},
             {"notice.video_unavailable", "Sorry, this video is not available right now. Please choose another."},
             {"notice.video_failed", "Sorry, this video could not finish playing. Please choose another."},
             {"privacy.note", "This kiosk keeps no personal information."},
             {"privacy.usage",
              "To improve this service, the library counts which videos and services are used on this kiosk. "
              "It records nothing about you: no name, no searches, nothing you type."},
         }},
        {"es",
         {
             {"language.name", "Español"},
             {"app.subtitle", "Aprendizaje y ayuda local"},
             {"home.welcome", "Bienvenidos"},
             {"home.intro", "Videos cortos para el personal de la biblioteca y servicios locales para todos."},
             {"home.courses", "Cursos de capacitación"},
             {"home.help.title", "Buscar ayuda local"},
             {"home.help.body", "Comida, salud, vivienda, ayuda legal y líneas de crisis cerca de usted."},
             {"home.crisis", "¿En crisis? Llame o envíe un texto al 988, a cualquier hora."},
             {"course.videos", "videos"},
             {"course.minutes", "min"},
             {"course.watched", "Visto"},
             {"course.play", "Ver"},
             {"nav.back", "Atrás"},
             {"nav.home", "Inicio"},
             {"player.pause", "Pausa"},
             {"player.resume", "Continuar"},
             {"player.captions_on", "Subtítulos sí"},
             {"player.captions_off", "Subtítulos no"},
             {"resources.title", "Buscar ayuda local"},
             {"resources.all", "Todos"},
             {"resources.count", "servicios"},
             {"resources.national", "Nacional"},
             {"resources.sample", "Ejemplo"},
             {"resources.always_open", "Abierto las 24 horas, todos los días"},
             {"resources.call", "Llamar"},
             {"resources.text", "Texto"},
             {"resources.website", "Sitio web"},
             {"resources.address", "Dirección"},
             {"resources.hours", "Horario"},
             {"resources.languages", "Idiomas"},
             {"category.crisis", "Líneas de crisis"},
             {"category.health", "Salud"},
             {"category.mental-health", "Salud mental"},
             {"category.food", "Comida"},
             {"category.housing", "Vivienda"},
             {"category.legal", "Ayuda legal"},
             {"category.employment", "Empleo"},
             {"category.family", "Familia"},
             {"category.other", "Otros"},
             {"day.mon", "lun"}, {"day.tue", "mar"}, {"day.wed", "mié"}, {"day.thu", "jue"},
             {"day.fri", "vie"}, {"day.sat", "sáb"}, {"day.sun", "dom"},
             {"notice.video_unavailable", "Lo sentimos, este video no está disponible ahora. Por favor elija otro."},
             {"notice.video_failed", "Lo sentimos, este video no pudo terminar. Por favor elija otro."},
             {"privacy.note", "Este quiosco no guarda información personal."},
             {"privacy.usage",
              "Para mejorar este servicio, la biblioteca cuenta qué videos y servicios se usan en este quiosco. "
              "No registra nada sobre usted: ni su nombre, ni sus búsquedas, ni lo que escribe."},
         }},
    };
    return t;
}

}  // namespace

const std::string& tr(std::string_view lang, std::string_view key) {
    const auto& t = tables();
    auto l = t.find(lang);
    if (l != t.end()) {
        if (auto it = l->second.find(key); it != l->second.end()) return it->second;
    }
    const Table& en = t.find("en")->second;
    if (auto it = en.find(key); it != en.end()) return it->second;
    static thread_local std::string missing;
    missing = std::string(key);
    return missing;
}

std::vector<std::string> ui_languages() {
    std::vector<std::string> out;
    for (const auto& [l, t] : tables()) out.push_back(l);
    return out;
}

const std::string& language_name(std::string_view lang) { return tr(lang, "language.name"); }

std::vector<std::string> string_keys(std::string_view lang) {
    std::vector<std::string> out;
    auto l = tables().find(lang);
    if (l != tables().end())
        for (const auto& [k, v] : l->second) out.push_back(k);
    return out;
}

}  // namespace lasr
