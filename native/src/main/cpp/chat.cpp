// Chat with tools and structured output through llama.cpp's common chat code: apply a conversation
// (messages, tools, response format) to the model's template, parse generated text back into a
// message, and turn a JSON schema into a GBNF grammar.
//
// The boundary is one JSON document in and one out, in the OpenAI-compatible shapes that
// llama.cpp's server uses, so that this file stays a thin adapter and every field that common
// supports is reachable without a JNI signature per field. Errors in the caller's JSON become
// IllegalArgumentException; errors of the template or parser become ChatTemplateException; a bad
// schema becomes GrammarException.
#include "jni_support.h"
#include "handles.h"

#include "chat.h"
#include "common.h"
#include "json-schema-to-grammar.h"

#include <algorithm>

using namespace strata;

namespace {

model_handle * chat_model_of(jlong h) {
    if (h == 0) throw java_error(JavaError::InvalidArgument, "null model handle");
    return from_handle<model_handle>(h);
}

common_json parse_json(const std::string & text, const char * what) {
    try {
        return common_json::parse(text);
    } catch (const std::exception & e) {
        throw java_error(JavaError::InvalidArgument, std::string(what) + " is not valid JSON: " + e.what());
    }
}

// Runs a step that reads the caller's JSON; whatever it throws is the caller's mistake.
template <typename F>
auto caller_input(const char * what, F && body) -> decltype(body()) {
    try {
        return body();
    } catch (const java_error &) {
        throw;
    } catch (const std::exception & e) {
        throw java_error(JavaError::InvalidArgument, std::string("invalid ") + what + ": " + e.what());
    }
}

const char * trigger_type_name(common_grammar_trigger_type t) {
    switch (t) {
        case COMMON_GRAMMAR_TRIGGER_TYPE_TOKEN:        return "token";
        case COMMON_GRAMMAR_TRIGGER_TYPE_WORD:         return "word";
        case COMMON_GRAMMAR_TRIGGER_TYPE_PATTERN:      return "pattern";
        case COMMON_GRAMMAR_TRIGGER_TYPE_PATTERN_FULL: return "pattern_full";
    }
    return "unknown";
}

// The sampler-ready form of the triggers, as common_sampler_init builds it: a word that is one
// preserved token triggers on that token (text matching would miss it when the model emits the
// special token); other words are escaped into patterns; full patterns are anchored at both ends.
void add_sampler_triggers(common_json & out, const common_chat_params & p, const llama_vocab * vocab) {
    std::vector<std::string> patterns;
    std::vector<int> tokens;
    for (const auto & t : p.grammar_triggers) {
        switch (t.type) {
            case COMMON_GRAMMAR_TRIGGER_TYPE_WORD: {
                auto ids = common_tokenize(vocab, t.value, false, true);
                bool preserved = std::find(p.preserved_tokens.begin(), p.preserved_tokens.end(), t.value) != p.preserved_tokens.end();
                if (ids.size() == 1 && preserved) {
                    tokens.push_back(ids[0]);
                } else {
                    patterns.push_back(regex_escape(t.value));
                }
                break;
            }
            case COMMON_GRAMMAR_TRIGGER_TYPE_PATTERN:
                patterns.push_back(t.value);
                break;
            case COMMON_GRAMMAR_TRIGGER_TYPE_PATTERN_FULL: {
                const std::string & v = t.value;
                patterns.push_back(v.empty() ? "^$" : (v.front() != '^' ? "^" : "") + v + (v.back() != '$' ? "$" : ""));
                break;
            }
            case COMMON_GRAMMAR_TRIGGER_TYPE_TOKEN:
                tokens.push_back(t.token);
                break;
        }
    }
    out["trigger_patterns"] = patterns;
    out["trigger_tokens"]   = tokens;
}

common_json params_to_json(const common_chat_params & p, const llama_vocab * vocab) {
    common_json out = common_json::object();
    out["prompt"]            = p.prompt;
    out["format"]            = static_cast<int>(p.format);
    out["format_name"]       = common_chat_format_name(p.format);
    out["grammar"]           = p.grammar;
    out["grammar_lazy"]      = p.grammar_lazy;
    common_json triggers     = common_json::array();
    for (const auto & t : p.grammar_triggers) {
        common_json jt = common_json::object();
        jt["type"]  = trigger_type_name(t.type);
        jt["value"] = t.value;
        triggers.push_back(jt);
    }
    out["grammar_triggers"]  = triggers;
    add_sampler_triggers(out, p, vocab);
    out["preserved_tokens"]  = p.preserved_tokens;
    out["additional_stops"]  = p.additional_stops;
    out["generation_prompt"] = p.generation_prompt;
    out["supports_thinking"] = p.supports_thinking;
    out["thinking_start_tag"] = p.thinking_start_tag;
    out["thinking_end_tags"] = p.thinking_end_tags;
    out["parser"]            = p.parser;
    return out;
}

// Reads the request document (see LlamaNative.chatApply for its fields) into common's inputs.
common_chat_templates_inputs inputs_from_json(const common_json & req) {
    if (!req.is_object()) throw java_error(JavaError::InvalidArgument, "chat request must be a JSON object");
    if (!req.contains("messages")) throw java_error(JavaError::InvalidArgument, "chat request has no 'messages'");
    common_chat_templates_inputs in;
    in.use_jinja = true;
    in.messages = caller_input("messages", [&]() { return common_chat_msgs_parse_oaicompat(req.at("messages")); });
    if (req.contains("tools") && !req.at("tools").is_null()) {
        in.tools = caller_input("tools", [&]() { return common_chat_tools_parse_oaicompat(req.at("tools")); });
    }
    caller_input("request field", [&]() {
        in.tool_choice = common_chat_tool_choice_parse_oaicompat(req.value("tool_choice", std::string("auto")));
        in.parallel_tool_calls   = req.value("parallel_tool_calls", false);
        in.add_generation_prompt = req.value("add_generation_prompt", true);
        in.enable_thinking       = req.value("enable_thinking", true);
        in.reasoning_format      = common_reasoning_format_from_name(req.value("reasoning_format", std::string("none")));
        in.grammar               = req.value("grammar", std::string());
        if (req.contains("json_schema") && !req.at("json_schema").is_null()) {
            const common_json & schema = req.at("json_schema");
            if (!schema.is_object()) throw std::invalid_argument("'json_schema' must be an object");
            in.json_schema = schema.dump();
        }
        if (req.contains("chat_template_kwargs")) {
            for (const auto & [key, value] : req.at("chat_template_kwargs").items()) {
                in.chat_template_kwargs[key] = value.dump();
            }
        }
        return 0;
    });
    if (!in.grammar.empty() && !in.json_schema.empty()) {
        throw java_error(JavaError::InvalidArgument, "give either 'grammar' or 'json_schema', not both");
    }
    return in;
}

common_chat_parser_params parser_params_from_json(const common_json & p) {
    if (!p.is_object()) throw java_error(JavaError::InvalidArgument, "parser parameters must be a JSON object");
    return caller_input("parser parameters", [&]() {
        common_chat_parser_params out;
        const int format = p.value("format", 0);
        if (format < 0 || format >= COMMON_CHAT_FORMAT_COUNT) {
            throw std::invalid_argument("unknown chat format id " + std::to_string(format));
        }
        out.format            = static_cast<common_chat_format>(format);
        out.reasoning_format  = common_reasoning_format_from_name(p.value("reasoning_format", std::string("none")));
        out.generation_prompt = p.value("generation_prompt", std::string());
        out.parse_tool_calls  = p.value("parse_tool_calls", true);
        const std::string parser = p.value("parser", std::string());
        if (!parser.empty()) out.parser.load(parser);
        return out;
    });
}

common_json message_to_json(const common_chat_msg & m) {
    common_json out = common_json::object();
    out["role"]              = m.role.empty() ? std::string("assistant") : m.role;
    out["content"]           = m.content;
    out["reasoning_content"] = m.reasoning_content;
    common_json calls = common_json::array();
    for (const auto & tc : m.tool_calls) {
        common_json jc = common_json::object();
        jc["id"]        = tc.id;
        jc["name"]      = tc.name;
        jc["arguments"] = tc.arguments;
        calls.push_back(jc);
    }
    out["tool_calls"] = calls;
    return out;
}

} // namespace

JNI_FN(jbyteArray, chatApply)(JNIEnv * env, jclass, jlong h, jbyteArray jrequest, jbyteArray joverride) {
    return guarded<jbyteArray>(env, nullptr, [&]() {
        model_handle * m = chat_model_of(h);
        const common_json req = parse_json(to_string(env, jrequest), "chat request");
        const common_chat_templates_inputs inputs = inputs_from_json(req);
        bool has_override = false;
        const std::string override_src = to_string(env, joverride, &has_override);
        try {
            common_chat_params params;
            if (has_override) {
                auto tmpls = common_chat_templates_init(m->model.get(), override_src);
                params = common_chat_templates_apply(tmpls.get(), inputs);
            } else {
                std::lock_guard<std::mutex> lock(m->templates_mutex);
                if (!m->templates) m->templates = common_chat_templates_init(m->model.get(), "");
                params = common_chat_templates_apply(m->templates.get(), inputs);
            }
            return to_bytes(env, params_to_json(params, m->vocab()).dump());
        } catch (const java_error &) {
            throw;
        } catch (const std::exception & e) {
            throw java_error(JavaError::ChatTemplate, std::string("chat template failed: ") + e.what());
        }
    });
}

JNI_FN(jbyteArray, chatParse)(JNIEnv * env, jclass, jbyteArray jtext, jboolean is_partial, jbyteArray jparams) {
    return guarded<jbyteArray>(env, nullptr, [&]() {
        const std::string text = to_string(env, jtext);
        const common_chat_parser_params params = parser_params_from_json(parse_json(to_string(env, jparams), "parser parameters"));
        try {
            return to_bytes(env, message_to_json(common_chat_parse(text, is_partial == JNI_TRUE, params)).dump());
        } catch (const java_error &) {
            throw;
        } catch (const std::exception & e) {
            throw java_error(JavaError::ChatTemplate, std::string("cannot parse the generated text: ") + e.what());
        }
    });
}

JNI_FN(jbyteArray, jsonSchemaToGrammar)(JNIEnv * env, jclass, jbyteArray jschema) {
    return guarded<jbyteArray>(env, nullptr, [&]() {
        const common_json schema = parse_json(to_string(env, jschema), "JSON schema");
        try {
            return to_bytes(env, json_schema_to_grammar(schema, /* force_gbnf = */ true));
        } catch (const std::exception & e) {
            throw java_error(JavaError::Grammar, std::string("cannot turn the JSON schema into a grammar: ") + e.what());
        }
    });
}
